"""Browser journeys: a real Home Assistant and the simulator, driven in Chromium."""
