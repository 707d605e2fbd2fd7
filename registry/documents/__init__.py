"""Official documents (licences, certificates) rendered to PDF, independent of Flask and the database."""
