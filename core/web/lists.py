"""Lists of the pages: filter forms that ignore what does not validate, and sortable headers."""

from django import forms


class FilterForm(forms.Form):
    """A list's filters: a value that does not validate is ignored, its French error shown."""

    def valid_values(self) -> dict:
        """The filters that validated (the others are ignored, their errors shown)."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}


def sortable_columns(request, columns, sort: str) -> list[dict]:
    """A table's headers: a link sorting by the column (the sorted one: the other way round) and
    its `aria-sort`. `columns`: (sort key, or None when not sortable; label; "-" when a first
    click sorts newest or largest first)."""
    current, descending = sort.lstrip("-"), sort.startswith("-")
    headers = []
    for key, label, first in columns:
        header = {"label": label, "href": None, "aria_sort": None}
        if key is not None:
            if key == current:
                next_sort = key if descending else f"-{key}"
                header["aria_sort"] = "descending" if descending else "ascending"
            else:
                next_sort = f"{first}{key}"
            params = request.GET.copy()
            params["sort"] = next_sort
            params.pop("page", None)
            header["href"] = f"?{params.urlencode()}"
        headers.append(header)
    return headers


def results_only(request, target: str) -> bool:
    """The live filters ask for the region `target` alone; a history restore needs the whole page."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx and htmx.target == target and not htmx.history_restore_request)
