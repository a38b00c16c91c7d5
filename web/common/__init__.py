"""The frame every page shares: navigation, error pages, form conventions, language and dates, labels, security headers."""
