"""What the tests share, in one place: clients of each face, the steps of the processes,
the database every test starts from. Plain helpers only: fixtures live in the conftest.py
files, and no test module imports another."""
