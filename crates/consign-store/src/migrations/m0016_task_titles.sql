-- Generated task titles as a message key with parameters, rendered in the reader's
-- language (issue 18). The tasks the system made before keep their text in `title` and
-- get the key that made it.
ALTER TABLE tasks ADD COLUMN title_key TEXT;
ALTER TABLE tasks ADD COLUMN title_args TEXT;
UPDATE tasks SET title_key = 'task.title.at_risk', title_args = '[]'
 WHERE kind = 'at_risk' AND title = '流失预警客户回访 / Call a customer at risk';
UPDATE tasks SET title_key = 'task.title.complaint_callback',
       title_args = '["' || (SELECT number FROM tickets WHERE tickets.id = tasks.ticket_id) || '"]'
 WHERE kind = 'complaint_callback' AND ticket_id IS NOT NULL
   AND title LIKE '投诉 % 关闭后回访 / Callback after complaint %';
UPDATE tasks SET title_key = 'task.title.follow_up', title_args = '["' || substr(title, 6, 1) || '"]'
 WHERE kind = 'follow_up' AND title LIKE '定期回访（_类客户）/ Regular follow-up (_)';
