"""The home page's to-dos and key figures (core.todo) and the grouped menu (core.nav)."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import translation

from innoreform.core import nav, todo
from innoreform.core.models import Jurisdiction, OrgKind, PolicyVersion, Role
from innoreform.core.testing import english_client, make_actor, make_user
from innoreform.core.tests.test_views import signed_in

pytestmark = pytest.mark.django_db


def department(role=Role.APPROVER):
    return make_actor(kind=OrgKind.DEPARTMENT, role=role, jurisdiction=Jurisdiction.PROVINCE, line="science")


def test_every_app_registers_its_own_to_do_sources():
    apps = {source.key.split(".")[0] for source in todo.sources()}
    assert {"core", "registry", "vouchers", "financing", "pools", "credit", "ledger", "patents"} <= apps
    for source in todo.sources():
        assert source.group in nav.GROUPS, source.key


def test_nav_has_at_most_eight_groups_and_refuses_a_ninth():
    assert len(nav.GROUPS) <= nav.MAX_GROUPS == 8
    with pytest.raises(ValueError):
        nav.register_group(nav.NavGroup("ninth", "Ninth", 99))
    # Every registered item belongs to a known group.
    assert all(nav.group_of(item) in nav.GROUPS for item in nav._items)


def test_menu_order_is_the_same_in_both_languages():
    actor = department()
    with translation.override("en"):
        en = [i["url_name"] for i in nav.items_for(actor)]
    with translation.override("zh-hans"):
        zh = [i["url_name"] for i in nav.items_for(actor)]
    assert en == zh


def test_app_operations_gate_menu_items():
    """Voucher reports are gated on the vouchers app's own operation, which core's table does not hold."""
    assert "vouchers:reports" in [i["url_name"] for i in nav.items_for(department())]
    assert "vouchers:reports" not in [i["url_name"] for i in nav.items_for(make_actor(kind=OrgKind.ENTERPRISE))]


def test_current_group_is_the_one_holding_the_page():
    actor = department()
    groups = nav.groups_for(actor, reverse("vouchers:claims"))
    current = [g["key"] for g in groups if g["current"]]
    assert current == ["vouchers"]
    assert len(groups) <= nav.MAX_GROUPS


def test_header_renders_groups_not_a_flat_list():
    body = signed_in(department(), english_client()).get(reverse("vouchers:reports")).content.decode()
    assert 'data-testid="nav-groups"' in body
    assert body.count('class="menu nav-menu"') <= nav.MAX_GROUPS
    assert 'data-group="vouchers"><summary class="current">' in body


def test_home_shows_a_policy_draft_to_another_approver_not_its_author():
    maker = department(Role.APPROVER)
    draft = PolicyVersion.objects.create(key="test.todo", version=2, parameters={}, effective_from=date.today(),
                                         created_by=maker.user)
    checker = department(Role.APPROVER)
    body = signed_in(checker, english_client()).get(reverse("core:home")).content.decode()
    assert 'data-key="core.policies"' in body
    assert "Policy versions to approve" in body
    assert reverse("core:policy_detail", args=[draft.pk]) in body
    assert "core.policies" not in [t["key"] for t in todo.todos_for(maker)]


def test_a_failing_source_is_left_out_not_fatal(monkeypatch):
    def broken(actor):
        raise RuntimeError("boom")

    monkeypatch.setitem(todo._sources, "test.broken", todo.TodoSource("test.broken", "Broken", broken, group="admin"))
    monkeypatch.setitem(todo._sources, "test.ok", todo.TodoSource(
        "test.ok", "Things to do", lambda actor: todo.Due(2, [todo.Item("first", "/x/")]), group="admin"))
    actor = make_actor(kind=OrgKind.ENTERPRISE, user=make_user())
    keys = [t["key"] for t in todo.todos_for(actor)]
    assert "test.ok" in keys and "test.broken" not in keys
    body = signed_in(actor, english_client()).get(reverse("core:home")).content.decode()
    assert 'data-key="test.ok"' in body and '<span class="todo-count" data-testid="todo-count">2</span>' in body
