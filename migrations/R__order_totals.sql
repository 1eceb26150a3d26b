-- Re-applied whenever this file changes.
DROP VIEW IF EXISTS order_totals;
CREATE VIEW order_totals AS
SELECT o.id          AS order_id,
       o.customer_id AS customer_id,
       o.status      AS status,
       COALESCE(SUM(l.quantity * l.unit_cents), 0) AS total_cents
FROM orders o
LEFT JOIN order_lines l ON l.order_id = o.id
GROUP BY o.id, o.customer_id, o.status;
