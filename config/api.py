"""The two API surfaces.

- portal_api at /api/v1: the portal's own calls, Django session + CSRF.
- bank_api at /api/bank/v1: banks, guarantors, insurers, investors and service institutions,
  `X-API-Key` header only, no cookies.
Each domain contributes a `router` (portal) and a `bank_router` (bank) from its api.py.
"""

from ninja import NinjaAPI

from innoreform.core.api_support import BankApiKeyAuth, PortalSessionAuth, install_error_handlers

portal_api = NinjaAPI(
    title="InnoReform portal API",
    version="1",
    urls_namespace="portal_api",
    auth=PortalSessionAuth(),
    docs_url="/docs",
)
bank_api = NinjaAPI(
    title="InnoReform bank and institution API",
    version="1",
    urls_namespace="bank_api",
    auth=BankApiKeyAuth(),
    docs_url="/docs",
)

for api in (portal_api, bank_api):
    install_error_handlers(api)


# The bank API names its resources directly where the issue fixes the path:
# /api/bank/v1/institution/me and /api/bank/v1/enterprises/{credit_code}.
BANK_PREFIXES = {"/core": "/institution", "/registry": ""}


def _mount() -> None:
    from innoreform.biomed import api as biomed
    from innoreform.books import api as books
    from innoreform.core import api as core
    from innoreform.credit import api as credit
    from innoreform.financing import api as financing
    from innoreform.ipcases import api as ipcases
    from innoreform.ledger import api as ledger
    from innoreform.patents import api as patents
    from innoreform.pools import api as pools
    from innoreform.registry import api as registry
    from innoreform.vouchers import api as vouchers

    for prefix, module in (("/core", core), ("/books", books), ("/ledger", ledger), ("/registry", registry),
                           ("/credit", credit), ("/patents", patents), ("/vouchers", vouchers),
                           ("/financing", financing), ("/pools", pools),
                           ("/ipcases", ipcases), ("/biomed", biomed)):
        portal_api.add_router(prefix, module.router)
        bank_api.add_router(BANK_PREFIXES.get(prefix, prefix), module.bank_router)


_mount()
