"""Apps served to people: the evaluators' explorer and the project teams' submission portal."""
