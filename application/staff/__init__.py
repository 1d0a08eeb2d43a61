"""The staff register's use cases (`desk.StaffDesk`: ``ektp staff``, ``ektp whoami``,
``ektp db init --head``) and the door every use case passes (`door.StaffDoor`)."""
