-- Notes and authors the system writes on classification policy versions are message keys,
-- shown in the reader's language (issue 18); a note or name a person wrote stays as
-- written. Versions stored before keep their text and get the key that made it.
ALTER TABLE classification_policies ADD COLUMN note_key TEXT;
ALTER TABLE classification_policies ADD COLUMN author_key TEXT;
UPDATE classification_policies SET note_key = 'policy.note.defaults'
 WHERE note = '默认策略 / defaults (SPEC §3)';
UPDATE classification_policies SET note_key = 'policy.note.config_file'
 WHERE note = '配置文件 / configuration file';
UPDATE classification_policies SET author_key = 'policy.by.system'
 WHERE created_by IS NULL AND created_by_name = '系统 / system';
UPDATE classification_policies SET author_key = 'policy.by.config'
 WHERE created_by IS NULL AND created_by_name = '配置文件 / configuration';
