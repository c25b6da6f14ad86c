DROP INDEX customer_days_day;
DROP INDEX customer_months_month
