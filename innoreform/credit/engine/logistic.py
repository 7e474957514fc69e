"""L2-penalised logistic regression by Newton's method (a few dense solves; p is small)."""

from __future__ import annotations

import numpy as np


def _objective(A: np.ndarray, y: np.ndarray, beta: np.ndarray, penalty: np.ndarray) -> float:
    eta = A @ beta
    # log(1 + e^eta) computed stably
    return float(np.sum(y * eta - np.logaddexp(0.0, eta)) - 0.5 * np.sum(penalty * beta**2))


def fit_logistic(X: np.ndarray, y: np.ndarray, *, l2: float = 1.0, max_iter: int = 50,
                 tol: float = 1e-8) -> tuple[float, np.ndarray]:
    """Intercept and coefficients maximising log-likelihood - l2/2 * |beta|^2 (intercept unpenalised).

    Newton steps with step halving, so a (quasi-)separated bin cannot make it diverge."""
    n, p = X.shape
    A = np.hstack([np.ones((n, 1)), X])
    beta = np.zeros(p + 1)
    prior = np.clip(y.mean(), 1e-6, 1 - 1e-6)
    beta[0] = np.log(prior / (1 - prior))
    penalty = np.full(p + 1, l2)
    penalty[0] = 0.0
    current = _objective(A, y, beta, penalty)
    for _ in range(max_iter):
        eta = A @ beta
        mu = 1.0 / (1.0 + np.exp(-np.clip(eta, -35, 35)))
        w = np.clip(mu * (1 - mu), 1e-10, None)
        grad = A.T @ (y - mu) - penalty * beta
        H = (A * w[:, None]).T @ A + np.diag(penalty)
        try:
            step = np.linalg.solve(H, grad)
        except np.linalg.LinAlgError:
            step = np.linalg.lstsq(H, grad, rcond=None)[0]
        t = 1.0
        while True:
            candidate = beta + t * step
            value = _objective(A, y, candidate, penalty)
            if value >= current - 1e-12 or t < 1e-6:
                break
            t *= 0.5
        beta = candidate
        improved = value - current
        current = value
        if np.max(np.abs(t * step)) < tol or abs(improved) < tol * max(1.0, abs(current)) * 1e-3:
            break
    return float(beta[0]), beta[1:]


def predict_logit(X: np.ndarray, intercept: float, coef: np.ndarray) -> np.ndarray:
    return intercept + X @ coef


def score_statistics(A: np.ndarray, mu: np.ndarray, y: np.ndarray, C: np.ndarray, l2: float) -> np.ndarray:
    """Rao score statistic for adding each column of C to a fitted model with design A (with the
    intercept column) and fitted means mu: U^2 / Var(U), the chi-square gain to expect."""
    w = np.clip(mu * (1 - mu), 1e-10, None)
    U = C.T @ (y - mu)
    AW = A * w[:, None]
    H = AW.T @ A + np.diag(np.r_[0.0, np.full(A.shape[1] - 1, l2)])
    CW = C * w[:, None]
    cross = CW.T @ A  # m x q
    sol = np.linalg.solve(H, cross.T)  # q x m
    var = np.einsum("ij,ij->j", CW, C) - np.einsum("ij,ji->i", cross, sol) + l2
    return U**2 / np.clip(var, 1e-12, None) * np.sign(U)
