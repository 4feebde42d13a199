"""What every Grassroots service uses: the event store wiring, the public event envelope,
the relay and the follower, metrics, configuration and logging. No domain rules live here."""
