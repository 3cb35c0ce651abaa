"""The project teams' submission portal (a Voilà app) and its access tokens."""
