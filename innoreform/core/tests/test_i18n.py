import gettext

from innoreform.core import i18n


def test_compiled_catalogue_is_read_by_gettext(tmp_path):
    (tmp_path / "zh_Hans" / "LC_MESSAGES").mkdir(parents=True)
    po = tmp_path / "zh_Hans" / "LC_MESSAGES" / "django.po"
    po.write_text(
        '# header\nmsgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n\n'
        'msgid "Bank"\nmsgstr "银行"\n\n'
        'msgctxt "verb"\nmsgid "Open"\nmsgstr "打开"\n\n'
        '#, fuzzy\nmsgid "Draft"\nmsgstr "草稿"\n\n'
        'msgid "Empty"\nmsgstr ""\n\n'
        'msgid "Long "\n"text"\nmsgstr ""\n"长"\n"文本"\n\n'
        'msgid "%(n)s file"\nmsgid_plural "%(n)s files"\nmsgstr[0] "%(n)s 个文件"\n',
        encoding="utf-8",
    )
    mo = po.with_suffix(".mo")
    i18n.write_mo(i18n.parse_po(po), mo)
    with mo.open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    assert catalogue.gettext("Bank") == "银行"
    assert catalogue.pgettext("verb", "Open") == "打开"
    assert catalogue.gettext("Draft") == "Draft"  # fuzzy entries are not used
    assert catalogue.gettext("Empty") == "Empty"
    assert catalogue.gettext("Long text") == "长文本"
    assert catalogue.ngettext("%(n)s file", "%(n)s files", 3) == "%(n)s 个文件"


def test_missing_translations_are_reported(tmp_path):
    app = tmp_path / "innoreform" / "demoapp" / "locale" / "zh_Hans" / "LC_MESSAGES"
    app.mkdir(parents=True)
    (app / "django.po").write_text('msgid ""\nmsgstr ""\n\nmsgid "Done"\nmsgstr "完成"\n\nmsgid "Todo"\nmsgstr ""\n',
                                   encoding="utf-8")
    problems = i18n.missing_translations(tmp_path / "innoreform")
    assert len(problems) == 1
    assert "Todo" in problems[0]


def test_shipped_zh_hans_catalogues_are_complete():
    assert i18n.missing_translations() == []
