"""Files: department and personal spaces, folders, uploads straight to S3, versions, trash."""
