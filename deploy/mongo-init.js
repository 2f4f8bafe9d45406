// Run by the mongo-init service with mongosh against mongo1: initiates the
// replica set rs0 if it is not yet, then waits until it has a primary.
// Safe to run again: an initiated set is left as it is.
const config = {
  _id: "rs0",
  members: [
    { _id: 0, host: "mongo1:27017", priority: 2 },
    { _id: 1, host: "mongo2:27017", priority: 1 },
    { _id: 2, host: "mongo3:27017", priority: 1 },
  ],
};

for (let attempt = 1; attempt <= 90; attempt++) {
  try {
    const status = db.adminCommand({ replSetGetStatus: 1 });
    if (status.ok && status.members.some((m) => m.stateStr === "PRIMARY")) {
      print("replica set rs0 has a primary");
      quit(0);
    }
  } catch (e) {
    if (e.codeName === "NotYetInitialized") {
      try {
        rs.initiate(config);
        print("replica set rs0 initiated");
      } catch (e2) {
        print("rs.initiate: " + e2); // a member not answering yet: try again
      }
    } else {
      print("replSetGetStatus: " + e);
    }
  }
  sleep(2000);
}
print("replica set rs0 has no primary after 3 minutes");
quit(1);
