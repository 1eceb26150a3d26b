-- ${shop_name} placeholder: set with --placeholder shop_name=... (defaults in tidemark.toml).
INSERT INTO customers (email, name) VALUES ('demo@example.com', 'Demo customer of ${shop_name}');
