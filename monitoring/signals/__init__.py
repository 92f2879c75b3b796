"""Reports from outside (外部信号, issue 19): property managers, landlords, couriers,
neighbours and grid workers tell the park what they saw at an enterprise's address. Each kind
(configured by admins, SignalKind) counts as a failed contact, opens an on-site verification,
or both. Its models share monitoring's app label and migrations (monitoring.models imports
them); writes go through ``monitoring.signals.services.signal_record``."""
