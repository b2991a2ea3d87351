"""The Welsh name of a request moves from the web form to its case type (``CaseType.name_cy``),
where the customer messages sent by ``cases`` can read it too.  A case type that already has a
Welsh name keeps it; going back copies the names onto the web forms again."""

from typing import Any

from django.db import migrations


def names_to_case_types(apps: Any, schema_editor: Any) -> None:
    WebForm = apps.get_model("portal", "WebForm")
    CaseType = apps.get_model("cases", "CaseType")
    for case_type_id, name_cy in (
        WebForm.objects.exclude(name_cy="").values_list("case_type_id", "name_cy").iterator()
    ):
        CaseType.objects.filter(pk=case_type_id, name_cy="").update(name_cy=name_cy)


def names_to_web_forms(apps: Any, schema_editor: Any) -> None:
    WebForm = apps.get_model("portal", "WebForm")
    CaseType = apps.get_model("cases", "CaseType")
    for case_type_id, name_cy in (
        CaseType.objects.exclude(name_cy="").values_list("pk", "name_cy").iterator()
    ):
        WebForm.objects.filter(case_type_id=case_type_id).update(name_cy=name_cy[:200])


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_webform_welsh_and_layout"),
        ("cases", "0012_casetype_name_cy"),
    ]

    operations = [
        migrations.RunPython(names_to_case_types, names_to_web_forms),
        migrations.RemoveField(model_name="webform", name="name_cy"),
    ]
