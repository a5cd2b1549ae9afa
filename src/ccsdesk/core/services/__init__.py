"""Services: plain functions over a data folder, one per thing a user does."""
