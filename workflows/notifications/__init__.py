"""What reaches a person besides the pages: their notifications (the bell), their choices of how, and their
personal calendar feed of deadlines. The scheduler writes the notifications (scheduler/notify.py)."""
