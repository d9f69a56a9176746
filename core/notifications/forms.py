"""The preferences form: one checkbox per kind of notification the person can receive."""

from django import forms


class PreferencesForm(forms.Form):
    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            self.fields[row.kind.key] = forms.BooleanField(label=row.kind.label, required=False, initial=row.enabled)

    def changes(self) -> list[tuple[str, bool]]:
        """(kind, enabled) for each kind whose box differs from the stored choice."""
        return [
            (row.kind.key, self.cleaned_data[row.kind.key])
            for row in self.rows
            if self.cleaned_data[row.kind.key] != row.enabled
        ]
