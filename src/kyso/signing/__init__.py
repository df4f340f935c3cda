"""Remote signing: credentials, signature activation data (sole control), the signing path."""
