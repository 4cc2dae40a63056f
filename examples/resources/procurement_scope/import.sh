# A scope is imported by its name.
terraform import procurement_scope.catalog_read catalog.read
