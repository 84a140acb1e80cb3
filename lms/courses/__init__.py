"""Curriculum, enrolments, progress, quizzes, completion and certificates."""
