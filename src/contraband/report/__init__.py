"""Reports for people: the HTML scan report a compliance lead opens."""
