"""The directory of departments and staff, with department notices."""
