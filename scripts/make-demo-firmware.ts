console.log("demo firmware: placeholder");
