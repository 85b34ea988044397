"""The person's own record, as `/me` and `amina person show` present it."""
