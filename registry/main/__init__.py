"""Home pages: the sign-in form for visitors, each role's start page for staff."""
