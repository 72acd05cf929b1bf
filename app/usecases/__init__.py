"""What the interfaces share: a request's names resolved once, its filters parsed once, then the store asked."""
