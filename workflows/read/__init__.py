"""The read side: what the pages and the API show (my work, case lists, a case page, what an actor may do now). Reads only; the one write it makes is the audit record of a read."""
