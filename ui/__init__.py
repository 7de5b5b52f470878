"""The Qt front end of Qorgau. It calls ``app.services`` and never opens a database session."""
