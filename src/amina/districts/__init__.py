"""Police districts (issue 11): their boundaries, each person's district, and the scope."""
