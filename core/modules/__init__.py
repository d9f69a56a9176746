"""The module registry: feature modules plug in here; core builds menus, URLs, API and jobs from it."""
