"""Channel adapters: one module per kind of channel behind one interface (base.Adapter)."""
