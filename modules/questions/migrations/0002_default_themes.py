"""The themes an organisation starts with; its administrator renames, reorders or switches them off."""

from django.db import migrations

DEFAULT_THEMES = (
    ("Contrat de travail", ("Embauche", "Période d'essai", "Modification du contrat", "Rupture du contrat")),
    ("Durée du travail", ("Temps partiel", "Heures supplémentaires", "Forfait jours")),
    ("Paie et rémunération", ("Salaire minimum", "Primes", "Frais professionnels")),
    ("Congés et absences", ("Congés payés", "Maladie", "Congés familiaux")),
    ("Relations collectives", ("CSE", "Négociation collective")),
    ("Santé et sécurité au travail", ()),
    ("Convention collective", ()),
    ("Autre question", ()),
)


def create(apps, schema_editor):
    Theme = apps.get_model("questions", "Theme")
    SubTheme = apps.get_model("questions", "SubTheme")
    if Theme.objects.exists():
        return
    for position, (name, sub_themes) in enumerate(DEFAULT_THEMES, start=1):
        theme = Theme.objects.create(name=name, position=position)
        for sub_position, sub_name in enumerate(sub_themes, start=1):
            SubTheme.objects.create(theme=theme, name=sub_name, position=sub_position)


class Migration(migrations.Migration):
    dependencies = [("questions", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
