-- Orders get a status; every existing order counts as placed.
ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT 'placed'
    CHECK (status IN ('placed', 'paid', 'shipped', 'cancelled'));

-- Keep a timestamp of the last status change, maintained by a trigger.
ALTER TABLE orders ADD COLUMN status_changed_at TEXT;

CREATE TRIGGER orders_status_changed
AFTER UPDATE OF status ON orders
BEGIN
    UPDATE orders SET status_changed_at = datetime('now') WHERE id = NEW.id;
END;
