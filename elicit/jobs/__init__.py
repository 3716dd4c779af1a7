"""Background-job pages: a progress page and the JSON it polls, plus finished downloads."""
