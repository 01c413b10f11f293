"""Data protection across the features: who sees an authority's data, subject access and erasure. It lives at the
top because it reads what every layer holds about an organisation or a person."""
