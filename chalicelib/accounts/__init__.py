"""Staff sign-in: Cognito authentication, JWT verification, browser sessions."""
