-- A business's custom questions (Graph's bookingCustomQuestion) and, per service, which it asks
-- and whether an answer is required (bookingQuestionAssignment JSON).
CREATE TABLE booking_questions (
    id TEXT PRIMARY KEY,
    business_id TEXT NOT NULL REFERENCES businesses (id),
    display_name TEXT NOT NULL,
    answer_input_type TEXT NOT NULL,
    answer_options TEXT NOT NULL DEFAULT '[]',
    created_at BIGINT NOT NULL
);
CREATE INDEX booking_questions_business ON booking_questions (business_id);
ALTER TABLE booking_services ADD COLUMN custom_questions TEXT NOT NULL DEFAULT '[]';
