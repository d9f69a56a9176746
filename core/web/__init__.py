"""Layout, navigation, error pages and API error format shared by every page."""
