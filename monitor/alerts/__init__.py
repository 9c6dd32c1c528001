"""Alerts stage: decide who is told what (build), say it (render), deliver it
through registered channels with retries (channels, dispatch), and watch the
service's own health (health)."""
