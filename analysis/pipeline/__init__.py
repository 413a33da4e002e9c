"""Running it: the build, notebook execution, artifacts, what notebooks load."""
