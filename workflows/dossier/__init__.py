"""What a case keeps besides its steps: comments and uploaded documents."""
