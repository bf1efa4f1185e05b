-- How far creating an event's webinar in Teams got: created, questions, published. Each step
-- is recorded as soon as it succeeds, so a retry resumes instead of starting over.
ALTER TABLE events ADD COLUMN teams_stage TEXT;
