"""Domain core of Connection Rituals.

Plain Python with no Home Assistant imports: ritual days, day outcomes, streaks,
schedules and presence rules. The Home Assistant glue feeds it facts and renders
what it computes.
"""
