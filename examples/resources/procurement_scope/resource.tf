resource "procurement_scope" "ticket_comment" {
  name        = "ticket.comment"
  description = "Comment on procurement tickets."
  risk        = "low"
}

resource "procurement_scope" "ticket_write" {
  name        = "ticket.write"
  description = "Open and update procurement tickets."
  risk        = "medium"
  # Holding ticket.write also grants ticket.comment.
  implies = [procurement_scope.ticket_comment.name]
}

resource "procurement_scope" "catalog_read" {
  name        = "catalog.read"
  description = "Read supplier catalogs and prices."
  risk        = "low"
  external    = true # suppliers' clients may hold it
}
