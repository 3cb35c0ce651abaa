"""The evaluators' explorer (ipywidgets + plotly) for JupyterLab and Voilà."""
