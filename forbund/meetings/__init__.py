"""The board's meetings, split by concept: the workflow and quorum (workflow, services), agenda and
notice (agenda*), attendance, decisions and minutes (minutes*), the meeting packet (packet*)."""
